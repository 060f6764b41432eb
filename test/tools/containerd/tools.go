//go:build tools

// Package containerd pins containerd v2 (see go.mod) for the CDI end-to-end test.
//
// containerd's own go.mod has `exclude` directives, so `go install ...@v2.1.4` is refused;
// this wrapper module requires it instead and test/tools/containerd.sh builds the two
// commands below from it with `go build`.
package containerd

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
)
