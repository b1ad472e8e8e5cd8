package sftp

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// clientConfig builds the SSH login: key authentication and a strict host
// key check against known_hosts.
func clientConfig(opt Options) (*ssh.ClientConfig, error) {
	hostKeys, err := hostKeyCallback(opt)
	if err != nil {
		return nil, err
	}
	auth, err := authMethods(opt)
	if err != nil {
		return nil, err
	}
	return &ssh.ClientConfig{
		User:            opt.User,
		Auth:            auth,
		HostKeyCallback: hostKeys,
		Timeout:         opt.DialTimeout,
	}, nil
}

func hostKeyCallback(opt Options) (ssh.HostKeyCallback, error) {
	file := opt.KnownHostsFile
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("sftp: find known_hosts: %w", err)
		}
		file = filepath.Join(home, ".ssh", "known_hosts")
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, fmt.Errorf("sftp: read known hosts %s: %w (add the server with: ssh-keyscan -p %d %s >> %s)",
			file, err, opt.Port, opt.Host, file)
	}
	// Wrap the check so that an unknown or changed key says what to do.
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		if errors.As(err, &ke) {
			if len(ke.Want) == 0 {
				return fmt.Errorf("host key of %s is not in %s; check its fingerprint %s and add it with: ssh-keyscan -p %d %s >> %s",
					hostname, file, ssh.FingerprintSHA256(key), opt.Port, opt.Host, file)
			}
			return fmt.Errorf("HOST KEY OF %s HAS CHANGED (now %s): refusing to connect; if the server was really reinstalled, update %s",
				hostname, ssh.FingerprintSHA256(key), file)
		}
		return err
	}, nil
}

// authMethods prefers an explicit key file; otherwise the agent and the
// usual key files, in the order OpenSSH tries them.
func authMethods(opt Options) ([]ssh.AuthMethod, error) {
	if opt.KeyFile != "" {
		signer, err := loadKey(opt.KeyFile)
		if err != nil {
			return nil, err
		}
		return []ssh.AuthMethod{ssh.PublicKeys(signer)}, nil
	}
	var signers []ssh.Signer
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			if s, err := agent.NewClient(conn).Signers(); err == nil {
				signers = append(signers, s...)
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			if s, err := loadKey(filepath.Join(home, ".ssh", n)); err == nil {
				signers = append(signers, s)
			}
		}
	}
	if len(signers) == 0 {
		return nil, errors.New("sftp: no SSH key: give one with ?key=/path/to/key (or CADANG_SFTP_KEY), or start ssh-agent")
	}
	return []ssh.AuthMethod{ssh.PublicKeys(signers...)}, nil
}

func loadKey(file string) (ssh.Signer, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("sftp: read key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("sftp: key %s has a passphrase: load it into ssh-agent instead", file)
	}
	if err != nil {
		return nil, fmt.Errorf("sftp: parse key %s: %w", file, err)
	}
	return signer, nil
}

// randomSuffix makes temporary names unique across concurrent writers.
func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b[:])
}
