package study

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is one of Count parts of a grid: it runs the cells whose position i
// in Grid.Cells has i mod Count = Index (the cells are dealt round-robin in
// the grid's order, like cards). Index runs from 0 to Count−1.
type Shard struct {
	Index, Count int
}

// All is the whole grid in one process.
var All = Shard{Index: 0, Count: 1}

// String is "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

func (s Shard) check() error {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("study: shard %d/%d: want 0 ≤ index < count (indices run from 0 to count−1)", s.Index, s.Count)
	}
	return nil
}

// Deal returns the cells of shard s, in the grid's order.
func (s Shard) Deal(cells []Cell) []Cell {
	var out []Cell
	for i, c := range cells {
		if i%s.Count == s.Index {
			out = append(out, c)
		}
	}
	return out
}

// ParseShard parses "I/N" (e.g. "0/4": the first of four shards).
func ParseShard(v string) (Shard, error) {
	i, n, ok := strings.Cut(v, "/")
	if !ok {
		return Shard{}, fmt.Errorf("study: shard %q: want I/N, e.g. 0/4 (the first of four)", v)
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(i))
	b, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("study: shard %q: want I/N with whole numbers, e.g. 0/4", v)
	}
	s := Shard{Index: a, Count: b}
	return s, s.check()
}

// ShardFromEnv finds the shard from the environment (getenv is os.Getenv
// in the command), in this order:
//
//   - a Slurm job array: SLURM_ARRAY_TASK_ID set; index =
//     SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, count =
//     SLURM_ARRAY_TASK_COUNT (the array must be contiguous: no step);
//   - a Kubernetes Indexed Job: JOB_COMPLETION_INDEX set; index = it, count
//     = NMATOOLS_SHARDS (set it to the Job's completions);
//   - otherwise All.
//
// from says which, for the log (e.g. "Slurm array task 3 (index 3 of 8)").
func ShardFromEnv(getenv func(string) string) (s Shard, from string, err error) {
	num := func(name string) (int, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, fmt.Errorf("study: %s is not set", name)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("study: %s=%q is not a whole number", name, v)
		}
		return n, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := num("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return Shard{}, "", err
		}
		lo, err := num("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return Shard{}, "", fmt.Errorf("%w (Slurm sets it in a job array)", err)
		}
		n, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return Shard{}, "", fmt.Errorf("%w (Slurm sets it in a job array)", err)
		}
		if st := strings.TrimSpace(getenv("SLURM_ARRAY_TASK_STEP")); st != "" && st != "1" {
			return Shard{}, "", fmt.Errorf("study: the Slurm array has step %s: submit a contiguous array (--array=0-%d) so that the task IDs minus the first are 0..%d", st, n-1, n-1)
		}
		s = Shard{Index: id - lo, Count: n}
		if err := s.check(); err != nil {
			return Shard{}, "", fmt.Errorf("%w (SLURM_ARRAY_TASK_ID %d, MIN %d, COUNT %d: submit a contiguous array, e.g. --array=0-%d)", err, id, lo, n, max(n, 1)-1)
		}
		return s, fmt.Sprintf("Slurm array task %d (shard %s)", id, s), nil
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		i, err := num("JOB_COMPLETION_INDEX")
		if err != nil {
			return Shard{}, "", err
		}
		n, err := num("NMATOOLS_SHARDS")
		if err != nil {
			return Shard{}, "", fmt.Errorf("%w: in a Kubernetes Indexed Job set it to the Job's completions", err)
		}
		s = Shard{Index: i, Count: n}
		if err := s.check(); err != nil {
			return Shard{}, "", fmt.Errorf("%w (JOB_COMPLETION_INDEX %d, NMATOOLS_SHARDS %d: NMATOOLS_SHARDS must equal the Job's completions)", err, i, n)
		}
		return s, fmt.Sprintf("Kubernetes Indexed Job completion %d (shard %s)", i, s), nil
	}
	return All, "one process (no --shard, Slurm array or Indexed Job)", nil
}
