package digest_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/intake/digest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// chromium finds the browser; in CI (CI=true) it must be there.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI installs Debian's chromium (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping the browser test")
	return ""
}

// recorder is an HTTP proxy that records every request made through it
// and answers none.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

// browserServices are hosts Chromium itself calls (component updates,
// network time, sign-in), whatever page it shows; no page uses them.
var browserServices = map[string]bool{
	"clients2.google.com": true, "accounts.google.com": true, "update.googleapis.com": true, "redirector.gvt1.com": true,
	"edgedl.me.gvt1.com": true, "optimizationguide-pa.googleapis.com": true, "safebrowsing.googleapis.com": true,
	"content-autofill.googleapis.com": true, "android.clients.google.com": true,
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	host := req.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if !browserServices[host] {
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+req.Host+req.URL.Path)
		r.mu.Unlock()
	}
	http.Error(w, "no network in this test", http.StatusBadGateway)
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// render loads a page in headless Chromium with every request sent
// through the recording proxy, and returns the DOM it rendered.
func render(t *testing.T, browser, page string, proxy *httptest.Server) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--no-default-browser-check", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--disable-client-side-phishing-detection", "--disable-domain-reliability", "--disable-breakpad", "--metrics-recording-only",
		"--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying",
		"--user-data-dir="+t.TempDir(), "--proxy-server="+proxy.URL, "--proxy-bypass-list=<-loopback>",
		"--virtual-time-budget=3000", "--dump-dom", "file://"+page)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errs.String())
	}
	return out.String()
}

// The HTML digest renders in a browser with every measure in it and makes
// no network request; a page that does make one is caught, so the check
// can fail.
func TestHTMLRendersInChromiumWithoutNetwork(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	d, ph, _ := scripted(t, s, digest.Options{})
	var buf bytes.Buffer
	if err := d.HTML(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "sammendrag.html")
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httptest.NewServer(rec)
	defer proxy.Close()

	dom := render(t, browser, page, proxy)
	for _, m := range ph.Measures {
		if !strings.Contains(dom, fmt.Sprintf("Tiltak %d", m.ID)) || !strings.Contains(dom, m.Text) {
			t.Errorf("the rendered page lacks measure %d: %q", m.ID, m.Text)
		}
	}
	if got := rec.requests(); len(got) != 0 {
		t.Errorf("the digest made network requests: %v", got)
	}

	// The control: the same check on a page that fetches an image.
	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><html lang="nb"><body><img src="http://digest.invalid/chart.png" alt="x"></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	render(t, browser, control, proxy)
	if len(rec.requests()) == 0 {
		t.Fatal("the proxy saw no request from a page that makes one: the network check cannot fail as set up")
	}
}

// The page is self-contained and has the basics of accessibility: a
// language, headings in order, table headers, a text alternative for each
// chart, and enough contrast.
func TestHTMLIsSelfContainedAndAccessible(t *testing.T) {
	t.Parallel()
	for _, lang := range []store.Language{store.Bokmal, store.Nynorsk, store.English} {
		s := storetest.Open(t, storetest.New(t, "sqlite").URL)
		d, _, _ := scripted(t, s, digest.Options{Language: lang})
		var buf bytes.Buffer
		if err := d.HTML(&buf); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		if !strings.Contains(page, `<html lang="`+string(lang)+`">`) {
			t.Errorf("%s: no lang attribute", lang)
		}
		for _, bad := range []string{"<script", "<link", "<iframe", "@import", "src=\"http", "url(http", "href=\"http"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page contains %q", lang, bad)
			}
		}
		level := 0
		for _, m := range regexp.MustCompile(`<h([1-6])[ >]`).FindAllStringSubmatch(page, -1) {
			n, _ := strconv.Atoi(m[1])
			if n > level+1 {
				t.Errorf("%s: heading h%d after h%d", lang, n, level)
			}
			level = n
		}
		svgs := regexp.MustCompile(`(?s)<svg role="img" aria-labelledby="([^"]+)-t [^"]+-d".*?<title id="([^"]+)-t">[^<]+</title><desc id="[^"]+-d">[^<]+</desc>`).FindAllStringSubmatch(page, -1)
		if n := strings.Count(page, "<svg"); n == 0 || len(svgs) != n {
			t.Errorf("%s: %d charts, %d with a title and description", lang, n, len(svgs))
		}
		if strings.Count(page, "<table") != strings.Count(page, "<th") && strings.Count(page, "<th") == 0 {
			t.Errorf("%s: tables without headers", lang)
		}
	}
	// Text and bars against the white page.
	css := readCSS(t)
	for _, c := range regexp.MustCompile(`fill: (#[0-9a-f]{6})`).FindAllStringSubmatch(css, -1) {
		if r := contrast(c[1], "#ffffff"); r < 3 {
			t.Errorf("bar colour %s has contrast %.2f against white, want at least 3", c[1], r)
		}
	}
	for _, c := range regexp.MustCompile(`[^-]color: (#[0-9a-f]{6})`).FindAllStringSubmatch(css, -1) {
		if r := contrast(c[1], "#ffffff"); r < 4.5 {
			t.Errorf("text colour %s has contrast %.2f against white, want at least 4.5", c[1], r)
		}
	}
}

func readCSS(t *testing.T) string {
	data, err := os.ReadFile("digest.css")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	var rgb [3]float64
	for i := range rgb {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			rgb[i] = c / 12.92
		} else {
			rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
}
