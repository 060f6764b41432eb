// cdi-validate checks CDI spec files with the CDI project's own Go library
// (tags.cncf.io/container-device-interface), the code containerd and CRI-O use to read them:
//
//	cdi-validate SPEC_DIR [DEVICE...]
//
// It reads and validates every spec in SPEC_DIR (cdi.ReadSpec: kind, version, device names,
// every container edit), loads the directory into a CDI cache as the runtimes do, compares each spec's cdiVersion
// with the lowest version its content needs, and injects the named devices
// (vendor/class=name) into an empty OCI spec. It prints one JSON object on stdout and exits
// 1 when anything failed, with the reasons in "errors".
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	oci "github.com/opencontainers/runtime-spec/specs-go"
	"tags.cncf.io/container-device-interface/pkg/cdi"
	cdispec "tags.cncf.io/container-device-interface/specs-go"
)

type specReport struct {
	Path           string   `json:"path"`
	Kind           string   `json:"kind"`
	Declared       string   `json:"cdiVersion"`
	MinimumVersion string   `json:"minimumVersion"`
	Devices        []string `json:"devices"`
}

type report struct {
	Specs    []specReport `json:"specs"`
	Injected *oci.Spec    `json:"injected,omitempty"`
	Errors   []string     `json:"errors"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cdi-validate SPEC_DIR [vendor/class=name ...]")
		os.Exit(2)
	}
	dir, devices := os.Args[1], os.Args[2:]
	r := report{Errors: []string{}}

	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	yamls, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	files = append(files, yamls...)
	if len(files) == 0 {
		r.Errors = append(r.Errors, fmt.Sprintf("no CDI spec (*.json, *.yaml) in %s", dir))
	}
	for _, f := range files {
		// ReadSpec parses and validates one file: kind, version, device names, every edit.
		if _, err := cdi.ReadSpec(f, 0); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", f, err))
		}
	}

	cache, err := cdi.NewCache(cdi.WithSpecDirs(dir), cdi.WithAutoRefresh(false))
	if err != nil {
		r.Errors = append(r.Errors, fmt.Sprintf("CDI cache: %v", err))
	}
	if cache != nil {
		for path, errs := range cache.GetErrors() {
			for _, e := range errs {
				r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", path, e))
			}
		}
		for _, vendor := range cache.ListVendors() {
			for _, spec := range cache.GetVendorSpecs(vendor) {
				raw := spec.Spec
				min, err := cdispec.MinimumRequiredVersion(raw)
				if err != nil {
					r.Errors = append(r.Errors, fmt.Sprintf("%s: minimum version: %v", spec.GetPath(), err))
				}
				var names []string
				for _, d := range raw.Devices {
					names = append(names, d.Name)
				}
				sort.Strings(names)
				r.Specs = append(r.Specs, specReport{Path: spec.GetPath(), Kind: raw.Kind, Declared: raw.Version, MinimumVersion: min, Devices: names})
			}
		}
		if len(devices) > 0 {
			s := &oci.Spec{Process: &oci.Process{}, Linux: &oci.Linux{}}
			unresolved, err := cache.InjectDevices(s, devices...)
			if err != nil {
				r.Errors = append(r.Errors, fmt.Sprintf("injecting %v: %v (unresolved: %v)", devices, err, unresolved))
			} else {
				r.Injected = s
			}
		}
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r)
	if len(r.Errors) > 0 {
		os.Exit(1)
	}
}
