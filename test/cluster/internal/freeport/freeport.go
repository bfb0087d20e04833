// Package freeport prints free TCP ports on 127.0.0.1 for cluster.sh.
package freeport

import (
	"flag"
	"fmt"
	"net"
	"os"
)

// Main prints -n distinct free ports, one per line. All listeners stay open
// until every port is chosen, so the ports differ from each other; another
// process may still take one before its component binds (rare on a test box).
func Main(args []string) int {
	fs := flag.NewFlagSet("free-ports", flag.ContinueOnError)
	n := fs.Int("n", 1, "number of ports")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range *n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, "free-ports:", err)
			return 1
		}
		listeners = append(listeners, l)
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	}
	return 0
}
