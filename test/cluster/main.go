// Command k8s-sim is a multi-call binary holding a whole Kubernetes control
// plane for wavesync's end-to-end tests: upstream etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler, plus our own kubelet simulator
// and a small PKI helper. One binary keeps the (long) link step to one.
//
// Usage: k8s-sim <component> [flags...], or call it through a symlink named
// after the component.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	_ "time/tzdata" // CronJob time zones, as upstream's apiserver and KCM mains do

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json, as upstream mains
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as upstream mains
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric, as upstream mains
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	"wavesync.dev/test/cluster/internal/freeport"
	"wavesync.dev/test/cluster/internal/kubeletsim"
	"wavesync.dev/test/cluster/internal/pki"
)

// components maps a component name to its entry point; each gets the
// arguments after the component name and returns the process exit code.
var components = map[string]func(args []string) int{
	"etcd":                    runEtcd,
	"kube-apiserver":          cobraMain(apiserver.NewAPIServerCommand),
	"kube-controller-manager": cobraMain(kcm.NewControllerManagerCommand),
	"kube-scheduler": cobraMain(func() *cobra.Command {
		return scheduler.NewSchedulerCommand() // variadic: no out-of-tree plugins
	}),
	"kubelet-sim": kubeletsim.Main,
	"pki":         pki.Main,
	"free-ports":  freeport.Main,
}

func main() {
	name, args := filepath.Base(os.Args[0]), os.Args[1:]
	if _, ok := components[name]; !ok && len(args) > 0 {
		name, args = args[0], args[1:]
	}
	run, ok := components[name]
	if !ok {
		usage()
		os.Exit(2)
	}
	os.Exit(run(args))
}

// cobraMain runs an upstream cobra command the way upstream's main does,
// but with explicit arguments: os.Args still holds our component name.
func cobraMain(newCommand func() *cobra.Command) func([]string) int {
	return func(args []string) int {
		cmd := newCommand()
		cmd.SetArgs(args)
		return cli.Run(cmd)
	}
}

// runEtcd hands over to etcd's own main, which never returns normally.
func runEtcd(args []string) int {
	etcdmain.Main(append([]string{"etcd"}, args...))
	return 0
}

func usage() {
	names := make([]string, 0, len(components))
	for name := range components {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: k8s-sim <component> [flags]\ncomponents: %v\n", names)
}
