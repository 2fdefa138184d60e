package mirror_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The real service (test/support/e2e-server.mjs, run from the built dist/), started once for the
// whole package: binanceusdm switchable between two real recordings, and dydx.
var srv *e2eServer

// repoRoot is the checkout this module lives in (go test runs in the package directory).
var repoRoot = func() string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return root
}()

func TestMain(m *testing.M) {
	var err error
	if srv, err = startServer(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e server:", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := srv.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e server:", err)
	}
	os.Exit(code)
}

type event struct {
	Event     string `json:"event"`
	Address   string `json:"address"`
	Recording string `json:"recording"`
	Revision  uint64 `json:"revision"`
	Watchers  int    `json:"watchers"`
	Message   string `json:"message"`
}

type e2eServer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	events  chan event
	stderr  *syncBuffer
	address string

	mu        sync.Mutex // one command at a time: each is answered by the next line
	recording string     // the binanceusdm recording served: "newer" (the default) or "older"
}

func startServer() (*e2eServer, error) {
	script := filepath.Join(repoRoot, "test", "support", "e2e-server.mjs")
	if _, err := os.Stat(filepath.Join(repoRoot, "dist", "src", "app", "service.js")); err != nil {
		return nil, fmt.Errorf("dist/ is not built (run `npm run build` in %s): %w", repoRoot, err)
	}
	s := &e2eServer{events: make(chan event, 16), stderr: &syncBuffer{}, recording: "newer"}
	s.cmd = exec.Command("node", script)
	s.cmd.Dir = repoRoot
	s.cmd.Env = append(os.Environ(), "E2E_RECORDING=newer")
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(s.events)
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			var e event
			if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
				e = event{Event: "unparsed", Message: lines.Text()}
			}
			s.events <- e
		}
	}()
	ready, err := s.next(2 * time.Minute)
	if err != nil || ready.Event != "ready" {
		_ = s.stop()
		return nil, fmt.Errorf("no ready line (got %+v, %v); stderr:\n%s", ready, err, s.stderr)
	}
	s.address = ready.Address
	return s, nil
}

func (s *e2eServer) next(timeout time.Duration) (event, error) {
	select {
	case e, ok := <-s.events:
		if !ok {
			return event{}, fmt.Errorf("server exited (stdout closed)")
		}
		return e, nil
	case <-time.After(timeout):
		return event{}, fmt.Errorf("no answer within %s", timeout)
	}
}

// command sends one stdin command and returns its answer.
func (s *e2eServer) command(t testing.TB, line string) event {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintln(s.stdin, line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	e, err := s.next(2 * time.Minute)
	if err != nil {
		t.Fatalf("%s: %v; stderr:\n%s", line, err, s.stderr)
	}
	if e.Event == "error" || e.Event == "unparsed" {
		t.Fatalf("%s: %+v", line, e)
	}
	if e.Event == "used" {
		s.recording = e.Recording
	}
	return e
}

// use switches binanceusdm to a recording and returns the revision once the switch is applied.
func (s *e2eServer) use(t testing.TB, recording string) uint64 {
	t.Helper()
	return s.command(t, "use "+recording).Revision
}

// other is the recording not served now: switching to it changes binanceusdm.
func (s *e2eServer) other() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recording == "newer" {
		return "older"
	}
	return "newer"
}

func (s *e2eServer) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recording
}

// stop closes stdin (the server stops on EOF) and waits for the process.
func (s *e2eServer) stop() error {
	_ = s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("did not stop within 30s; killed")
	}
}

// dial returns a connection to the server, closed when the test ends.
func dial(t testing.TB) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(srv.address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// syncBuffer collects a child's stderr (or a logger's output) while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
