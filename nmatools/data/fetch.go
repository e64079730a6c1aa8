package data

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
)

// Remote is a file to download and check.
type Remote struct {
	Name string // file name in the cache directory
	URL  string
	MD5  string // lowercase hex
	// Fallback says what is used when the file cannot be had (for the
	// error message).
	Fallback string
}

// TutorialFiles are the four files the tutorial downloads from OSF, with
// the tutorial's MD5 sums.
var TutorialFiles = []Remote{
	{Name: "regularized_model_final.pth", URL: "https://osf.io/kc7sb/download", MD5: "9435a9c2ea75766144bf840b25bfb97e",
		Fallback: "train the regularized model instead (nmatools train)"},
	{Name: "unregularized_model_final.pth", URL: "https://osf.io/9vsy5/download", MD5: "2e3dc9551b677206e2315788df354a91",
		Fallback: "train the unregularized model instead (nmatools train)"},
	{Name: CondsFile, URL: "https://osf.io/wak7e/download", MD5: "257d16c4d92759d615bf5cac75dd9a1f",
		Fallback: "the synthetic stand-in dataset will be used"},
	{Name: M1File, URL: "https://osf.io/p2x4n/download", MD5: "6fc65443b9632db47772dd2efaadeee0",
		Fallback: "the synthetic stand-in M1 data will be used"},
}

// Names of the open real-data files (see RealFiles).
const (
	ChurchlandFile = "churchland2012_TME_exampleData.mat"
	EMGFile        = "hatsopoulos_centerout_EMG.mat"
)

// RealFiles are two small open recordings used as real-data references:
// Churchland et al. (2012) jPCA example data (50 neurons × 10 conditions,
// preprocessed, GPL-3.0 repository) and the Hatsopoulos lab's centre-out
// EMG (13 muscles × 8 directions, CC0), at fixed commits.
var RealFiles = []Remote{
	{Name: ChurchlandFile,
		URL:      "https://raw.githubusercontent.com/gamaleldin/TME/ad1adf835e72dbba012406b5a3af30701adc8993/data/exampleData.mat",
		MD5:      "5671fb7c5b80dcb1b5852decc4d60d22",
		Fallback: "the synthetic M1 data will be used for the comparison with real neurons"},
	{Name: EMGFile,
		URL:      "https://raw.githubusercontent.com/lbachromano/M1_Preparatory_Movement_Representation/90559aa092401d7b815aeb0a4ac43f8e5b6ddb53/EMG.mat",
		MD5:      "a42b6432bd37b2fd54acec23f81ab86f",
		Fallback: "the synthetic EMG will be used"},
}

// HTTPClient is the client Fetch uses.
var HTTPClient = &http.Client{Timeout: 10 * time.Minute}

// FileMD5 returns the lowercase hex MD5 of a file.
func FileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, bufio.NewReader(f)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Cached reports whether dir holds r with the right MD5.
func Cached(dir string, r Remote) bool {
	sum, err := FileMD5(filepath.Join(dir, r.Name))
	return err == nil && strings.EqualFold(sum, r.MD5)
}

// Fetch makes sure dir/r.Name is r's file and returns its path. A file
// already there with the right MD5 is kept and nothing is downloaded.
// Otherwise the file is downloaded into a temporary file in dir, its MD5
// checked, and only then renamed over dir/r.Name, so a failed or corrupted
// download never replaces what was there. Errors name the URL and say what
// will be used instead.
func Fetch(dir string, r Remote) (string, error) {
	dst := filepath.Join(dir, r.Name)
	if Cached(dir, r) {
		return dst, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", r.Name, err)
	}
	fail := func(err error) (string, error) {
		msg := fmt.Sprintf("data: could not download %s from %s: %v", r.Name, r.URL, err)
		if r.Fallback != "" {
			msg += "; " + r.Fallback
		}
		return "", errors.New(msg)
	}
	resp, err := HTTPClient.Get(r.URL)
	if err != nil {
		return fail(fmt.Errorf("%w (offline?)", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("HTTP status %s", resp.Status))
	}
	tmp, err := atomicfile.Create(dst)
	if err != nil {
		return fail(err)
	}
	defer tmp.Abort()
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), resp.Body)
	if err != nil {
		return fail(fmt.Errorf("download interrupted after %d bytes: %w", n, err))
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fail(fmt.Errorf("download truncated: got %d of %d bytes", n, resp.ContentLength))
	}
	if sum := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(sum, r.MD5) {
		return fail(fmt.Errorf("corrupted download: MD5 %s, want %s (%d bytes)", sum, r.MD5, n))
	}
	if err := tmp.Commit(); err != nil {
		return fail(err)
	}
	return dst, nil
}
