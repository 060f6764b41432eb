"""The README's examples, as a Python user writes them with the cdk8s-gpu wheel.

Run by test/constructs/python-package.test.ts in a fresh venv (test/tools/python-package.sh):
    python readme_examples.py OUTDIR
writes one <chart>.k8s.yaml per chart into OUTDIR; the test compares them byte for byte with
the same examples synthesized from TypeScript (test/python/readme-examples.ts).
"""
import sys

from cdk8s import App, Chart
from cdk8s_gpu import (
    ContainerdConfig,
    DevicePluginConfigProps,
    GitOpsInstall,
    GpuDevicePlugin,
    GpuJob,
    GpuOperatorStack,
    GpuRequest,
    GpuResource,
    MigProfile,
    MigStrategy,
    NamedDevicePluginConfig,
    PluginImage,
    SharedResource,
    SharingOptions,
)

app = App(outdir=sys.argv[1])

# README, GpuDevicePlugin.
chart = Chart(app, "gpu")
GpuDevicePlugin(chart, "DevicePlugin")
GpuDevicePlugin(
    chart,
    "Shared",
    name="gpu-shared",
    namespace="gpu-shared",
    # Inside a list, use the struct classes: jsii converts dicts only where a struct is expected directly.
    time_slicing=SharingOptions(resources=[SharedResource(resource=GpuResource.NVIDIA_GPU, replicas=4, devices=["0", "1"])]),
)
GpuDevicePlugin(
    chart, "Mig", name="gpu-mig", namespace="gpu-mig", mig_strategy=MigStrategy.MIXED, image=PluginImage.nvidia()
)

# README, GpuJob (the tutorial's four lines), and the MIG request the README names.
training = Chart(app, "training")
GpuJob(training, "gpu-training-job", image="nvcr.io/nvidia/pytorch:24.01-py3", command=["python", "train.py"], gpus=1)
GpuJob(
    training,
    "mig-job",
    image="nvcr.io/nvidia/pytorch:24.01-py3",
    gpu_requests=[GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB)],
)

# README, GpuOperatorStack (the TypeScript side runs the README's block itself).
operator = Chart(app, "gpu-operator", disable_resource_name_hashes=True)
GpuOperatorStack(
    operator,
    "GpuOperator",
    install=GitOpsInstall.FLUX,
    toolkit={"containerd": ContainerdConfig.RKE2},
    driver={"upgrade_policy": {"max_parallel_upgrades": 2, "drain": {"enable": True, "timeout_seconds": 600}}},
    mig={"strategy": MigStrategy.NONE},
    device_plugin={
        "configs": [
            NamedDevicePluginConfig(name="whole"),
            NamedDevicePluginConfig(
                name="sliced-4",
                config=DevicePluginConfigProps(
                    time_slicing=SharingOptions(resources=[SharedResource(resource=GpuResource.NVIDIA_GPU, replicas=4)]),
                ),
            ),
        ],
        "default_config": "whole",
    },
    dcgm_exporter={"service_monitor": {"additional_labels": {"release": "kube-prometheus-stack"}}},
    alerts={"rule_labels": {"release": "kube-prometheus-stack"}},
)

app.synth()
