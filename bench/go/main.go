// dpload drives a kubelet device plugin (v1beta1) over its unix socket the way the
// kubelet does, and prints latency figures as one JSON object. It is the one client
// the benchmarks use for every plugin, so differences in the figures come from the
// plugins, not from the client.
//
//	dpload allocate  -socket S -ids A,B [-clients N] [-requests M] [-warmup W]
//	dpload preferred -socket S -available A,B,C [-must A] -size K [-requests M]
//
// -max-seconds T bounds a slow plugin: each client stops starting requests once the
// measured phase has run T seconds (and the warm-up stops after T seconds too), so a
// figure is over fewer requests than asked; "capped" in the output says so.
//
// Each client has its own connection (as separate kubelets would), so 8 clients
// load the server with 8 streams of back-to-back requests.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type result struct {
	Requests       int     `json:"requests"`
	Errors         int     `json:"errors"`
	FirstError     string  `json:"firstError,omitempty"`
	P50Us          float64 `json:"p50Us"`
	P99Us          float64 `json:"p99Us"`
	MeanUs         float64 `json:"meanUs"`
	ThroughputPerS float64 `json:"throughputPerS"`
	WallMs         float64 `json:"wallMs"`
	// Capped is true when -max-seconds ended the run before -requests were made.
	Capped bool `json:"capped"`
	// The last successful response, so a caller can check what it measured.
	Response interface{} `json:"response,omitempty"`
}

// call is one request; it returns the response to keep and an error.
type call func(ctx context.Context, c pluginapi.DevicePluginClient) (interface{}, error)

func main() {
	if len(os.Args) < 2 {
		fail("usage: dpload allocate|preferred -socket PATH ... (see the header of bench/go/main.go)")
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	socket := fs.String("socket", "", "plugin socket path")
	clients := fs.Int("clients", 1, "concurrent clients, one connection each")
	requests := fs.Int("requests", 1000, "measured requests in total")
	warmup := fs.Int("warmup", 100, "unmeasured requests per client first")
	ids := fs.String("ids", "", "allocate: device IDs of one container request, comma separated")
	available := fs.String("available", "", "preferred: available device IDs, comma separated")
	must := fs.String("must", "", "preferred: must-include device IDs, comma separated")
	size := fs.Int("size", 1, "preferred: allocation size")
	maxSeconds := fs.Float64("max-seconds", 0, "stop each client after this many seconds of measuring (0 = no limit)")
	timeoutSeconds := fs.Float64("timeout-seconds", 10, "deadline of each request")
	_ = fs.Parse(os.Args[2:])
	if *socket == "" {
		fail("-socket is required: the path of the plugin's unix socket")
	}
	if *clients < 1 || *requests < 1 {
		fail(fmt.Sprintf("-clients and -requests must be at least 1 (got %d and %d)", *clients, *requests))
	}

	var fn call
	switch mode {
	case "allocate":
		req := &pluginapi.AllocateRequest{ContainerRequests: []*pluginapi.ContainerAllocateRequest{{DevicesIDs: split(*ids)}}}
		fn = func(ctx context.Context, c pluginapi.DevicePluginClient) (interface{}, error) { return c.Allocate(ctx, req) }
	case "preferred":
		req := &pluginapi.PreferredAllocationRequest{ContainerRequests: []*pluginapi.ContainerPreferredAllocationRequest{{
			AvailableDeviceIDs: split(*available), MustIncludeDeviceIDs: split(*must), AllocationSize: int32(*size),
		}}}
		fn = func(ctx context.Context, c pluginapi.DevicePluginClient) (interface{}, error) {
			return c.GetPreferredAllocation(ctx, req)
		}
	default:
		fail(fmt.Sprintf("unknown mode %q: use allocate or preferred", mode))
	}
	requestTimeout = time.Duration(*timeoutSeconds * float64(time.Second))
	out, err := run(*socket, *clients, *requests, *warmup, time.Duration(*maxSeconds*float64(time.Second)), fn)
	if err != nil {
		fail(err.Error())
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

func run(socket string, clients, requests, warmup int, limit time.Duration, fn call) (*result, error) {
	conns := make([]*grpc.ClientConn, clients)
	for i := range conns {
		conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, fmt.Errorf("cannot open a connection to %s: %w", socket, err)
		}
		defer conn.Close()
		conns[i] = conn
	}
	// Warm every connection first so connection set-up is not measured.
	warmStart := time.Now()
	for _, conn := range conns {
		c := pluginapi.NewDevicePluginClient(conn)
		for i := 0; i < warmup && (limit == 0 || time.Since(warmStart) < limit); i++ {
			if _, err := once(c, fn); err != nil {
				return nil, fmt.Errorf("warm-up request to %s failed: %w", socket, err)
			}
		}
	}

	latencies := make([][]time.Duration, clients)
	errs := make([]int, clients)
	firstErr := make([]string, clients)
	last := make([]interface{}, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < clients; i++ {
		n := requests / clients
		if i < requests%clients {
			n++
		}
		wg.Add(1)
		go func(i, n int) {
			defer wg.Done()
			c := pluginapi.NewDevicePluginClient(conns[i])
			lat := make([]time.Duration, 0, n)
			for j := 0; j < n; j++ {
				if limit > 0 && j > 0 && time.Since(start) >= limit {
					break
				}
				t0 := time.Now()
				res, err := once(c, fn)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs[i]++
					if firstErr[i] == "" {
						firstErr[i] = err.Error()
					}
					continue
				}
				last[i] = res
			}
			latencies[i] = lat
		}(i, n)
	}
	wg.Wait()
	wall := time.Since(start)

	var all []time.Duration
	out := &result{}
	for i := range latencies {
		all = append(all, latencies[i]...)
		out.Errors += errs[i]
		if out.FirstError == "" {
			out.FirstError = firstErr[i]
		}
		if last[i] != nil {
			out.Response = last[i]
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	out.Requests = len(all)
	out.Capped = out.Requests < requests
	out.P50Us = us(quantile(all, 0.50))
	out.P99Us = us(quantile(all, 0.99))
	out.MeanUs = us(sum / time.Duration(len(all)))
	out.WallMs = float64(wall.Microseconds()) / 1000
	out.ThroughputPerS = float64(len(all)) / wall.Seconds()
	return out, nil
}

// requestTimeout is the deadline of each request (-timeout-seconds).
var requestTimeout = 10 * time.Second

func once(c pluginapi.DevicePluginClient, fn call) (interface{}, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return fn(ctx, c)
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(q*float64(len(sorted))+0.999999) - 1
	if rank < 0 {
		rank = 0
	}
	return sorted[rank]
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

func split(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "dpload: "+msg)
	os.Exit(2)
}
