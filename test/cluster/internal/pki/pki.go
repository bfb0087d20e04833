// Package pki writes the throw-away certificates, service-account keys and
// admin kubeconfig of one test cluster. Everything is ECDSA P-256: key
// generation takes microseconds, unlike RSA.
package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const validity = 10 * 365 * 24 * time.Hour

// An authority is a CA that signs the cluster's leaf certificates.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// leaf describes one certificate signed by the cluster CA.
type leaf struct {
	file     string // base name: <file>.crt and <file>.key
	cn       string
	orgs     []string
	usage    x509.ExtKeyUsage
	dnsNames []string
	ips      []net.IP
}

// Main implements `k8s-sim pki -dir D -server URL`.
func Main(args []string) int {
	fs := flag.NewFlagSet("pki", flag.ContinueOnError)
	dir := fs.String("dir", "", "output directory (created)")
	server := fs.String("server", "", "API server URL for admin.kubeconfig")
	nodeName := fs.String("node-name", "sim-node-0", "node name in the kubelet serving certificate")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || *server == "" {
		fmt.Fprintln(os.Stderr, "pki: -dir and -server are required")
		return 2
	}
	if err := generate(*dir, *server, *nodeName); err != nil {
		fmt.Fprintln(os.Stderr, "pki:", err)
		return 1
	}
	return 0
}

func generate(dir, server, nodeName string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, err := newAuthority(dir)
	if err != nil {
		return err
	}
	loopback := []net.IP{net.ParseIP("127.0.0.1")}
	leaves := []leaf{
		{file: "apiserver", cn: "kube-apiserver", usage: x509.ExtKeyUsageServerAuth,
			dnsNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
				"kubernetes.default.svc.cluster.local"},
			ips: append(loopback, net.ParseIP("10.96.0.1"))},
		{file: "kubelet", cn: "system:node:" + nodeName, orgs: []string{"system:nodes"},
			usage: x509.ExtKeyUsageServerAuth, dnsNames: []string{"localhost", nodeName}, ips: loopback},
		{file: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client",
			usage: x509.ExtKeyUsageClientAuth},
		{file: "admin", cn: "wavesync-admin", orgs: []string{"system:masters"}, usage: x509.ExtKeyUsageClientAuth},
	}
	for _, l := range leaves {
		if err := ca.issue(dir, l); err != nil {
			return fmt.Errorf("%s: %w", l.file, err)
		}
	}
	if err := writeServiceAccountKeys(dir); err != nil {
		return err
	}
	return writeKubeconfig(dir, server)
}

func newAuthority(dir string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := template("wavesync-sim-ca", nil)
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if err := writePair(dir, "ca", der, key); err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key}, nil
}

func (ca *authority) issue(dir string, l leaf) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := template(l.cn, l.orgs)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{l.usage}
	tmpl.DNSNames = l.dnsNames
	tmpl.IPAddresses = l.ips
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return err
	}
	return writePair(dir, l.file, der, key)
}

func template(cn string, orgs []string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    now.Add(-time.Hour), // tolerate small clock skew between processes
		NotAfter:     now.Add(validity),
	}
}

// writeServiceAccountKeys writes the key pair the API server signs and
// verifies service-account tokens with (and the KCM's token controller uses).
func writeServiceAccountKeys(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	if err := writeKey(filepath.Join(dir, "sa.key"), key); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", pub, 0o644)
}

func writeKubeconfig(dir, server string) error {
	read := func(name string) []byte {
		b, _ := os.ReadFile(filepath.Join(dir, name)) // just written by us
		return b
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["wavesync-sim"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: read("ca.crt")}
	cfg.AuthInfos["wavesync-admin"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: read("admin.crt"),
		ClientKeyData:         read("admin.key"),
	}
	cfg.Contexts["wavesync-sim"] = &clientcmdapi.Context{Cluster: "wavesync-sim", AuthInfo: "wavesync-admin"}
	cfg.CurrentContext = "wavesync-sim"
	return clientcmd.WriteToFile(*cfg, filepath.Join(dir, "admin.kubeconfig"))
}

func writePair(dir, name string, der []byte, key *ecdsa.PrivateKey) error {
	if err := writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writeKey(filepath.Join(dir, name+".key"), key)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, blockType string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), mode)
}
