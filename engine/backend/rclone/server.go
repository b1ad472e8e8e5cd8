package rclone

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"cadang/engine/childproc"
	"cadang/engine/secrets"
)

// server is the one `rclone rcd` a Backend talks to for as long as it is
// open: its remote-control API lists, stats, uploads, moves and deletes
// (operations/*), and with --rc-serve it serves the remote's objects with
// HTTP range requests. Starting rclone once instead of once per operation
// is what makes a sync of a thousand packs cost about what `rclone copy`
// of them does.
//
// It listens on 127.0.0.1 at a port the kernel picks, and answers only to a
// random user and password made for this process, handed to rclone in its
// environment (RCLONE_RC_USER, RCLONE_RC_PASS), never on its command line.
type server struct {
	cmd      *exec.Cmd
	base     string // http://127.0.0.1:PORT
	user     string
	pass     string
	client   *http.Client
	exited   chan struct{} // closed when rclone ends
	mu       sync.Mutex
	lastLine string // rclone's last line of output, for errors
}

var servingRE = regexp.MustCompile(`Serving remote control on (http://127\.0\.0\.1:[0-9]+)/`)

// startServer runs `rclone rcd` and waits until it listens. Its life is
// not tied to ctx (only the wait is): Close ends it.
func (b *Backend) startServer(ctx context.Context) (*server, error) {
	s := &server{user: "cadang", pass: randomSecret(), client: &http.Client{}, exited: make(chan struct{})}
	args := []string{"--log-level", "NOTICE"}
	if b.opt.Config != "" {
		args = append(args, "--config", b.opt.Config)
	}
	args = append(args, b.opt.ExtraArgs...)
	// Cadang reads every upload back and checks its BLAKE3 itself
	// (engine/replica): rclone's own MD5 of each upload would be a second,
	// slower check of the same bytes.
	args = append(args, "--ignore-checksum", "rcd", "--rc-addr", "127.0.0.1:0", "--rc-serve")
	env := b.env
	env.Set = append(append([]string(nil), env.Set...), "RCLONE_RC_USER="+s.user, "RCLONE_RC_PASS="+s.pass)
	s.cmd = childproc.Command(context.Background(), env, b.opt.Program, args...)
	dieWithParent(s.cmd) // a killed Cadang must not leave rclone running
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("rclone: start rcd: %w", err)
	}
	listening := make(chan string, 1)
	go s.watch(stderr, listening)
	select {
	case base := <-listening:
		s.base = base
		return s, nil
	case <-s.exited:
		return nil, &Error{Op: "rcd", ExitCode: s.cmd.ProcessState.ExitCode(), Message: s.last()}
	case <-ctx.Done():
		s.close()
		return nil, ctx.Err()
	case <-time.After(time.Minute):
		s.close()
		return nil, errors.New("rclone rcd did not start listening within a minute")
	}
}

// watch reads rclone's output: the address it listens on, then the last
// line (for the error when it stops).
func (s *server) watch(stderr io.Reader, listening chan<- string) {
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		if m := servingRE.FindStringSubmatch(line); m != nil {
			select {
			case listening <- m[1]:
			default:
			}
			continue
		}
		s.mu.Lock()
		s.lastLine = lastLine(line)
		s.mu.Unlock()
	}
	_ = s.cmd.Wait()
	close(s.exited)
}

func (s *server) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastLine == "" {
		return "rclone rcd ended"
	}
	return s.lastLine
}

// close stops rclone and waits for it.
func (s *server) close() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.exited
}

// call posts in as JSON to the remote-control method and decodes the answer
// into out; rclone's error answers become an *Error with the HTTP status.
func (s *server) call(ctx context.Context, method string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return s.do(req, method, out)
}

func (s *server) do(req *http.Request, op string, out any) error {
	req.SetBasicAuth(s.user, s.pass)
	resp, err := s.client.Do(req)
	if err != nil {
		if cerr := req.Context().Err(); cerr != nil {
			return cerr
		}
		select {
		case <-s.exited:
			return &Error{Op: op, ExitCode: -1, Message: "rclone rcd stopped: " + s.last()}
		default:
		}
		return fmt.Errorf("rclone %s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("rclone %s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return answerError(op, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("rclone %s: read rclone's answer: %w", op, err)
	}
	return nil
}

// answerError turns an error answer ({"error": "...", "status": 404}).
func answerError(op string, status int, data []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	// rclone may echo a remote's inline options: masked like every location.
	return &Error{Op: op, Status: status, Message: secrets.Redact(msg)}
}

// objectURL is where --rc-serve serves file name of fs: /[fs]/name.
func (s *server) objectURL(fs, name string) string {
	var b strings.Builder
	b.WriteString(s.base)
	b.WriteString("/")
	b.WriteString(url.PathEscape("[" + fs + "]"))
	for _, part := range strings.Split(name, "/") {
		b.WriteString("/")
		b.WriteString(url.PathEscape(part))
	}
	return b.String()
}

func randomSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b[:])
}
