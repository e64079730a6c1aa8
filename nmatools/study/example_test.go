package study_test

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/study"
)

// A grid of 2 rate penalties × 2 weight penalties × 2 seeds is 8 cells;
// three shards (e.g. a Slurm array of three tasks) deal them round-robin.
func Example() {
	g, err := study.ParseGrid([]byte(`{"rate_penalty": [0, 0.003], "weight_penalty": [0, 1e-5], "seeds": [1, 2], "epochs": 100}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, from, err := study.ShardFromEnv(func(k string) string {
		return map[string]string{"SLURM_ARRAY_TASK_ID": "11", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "3"}[k]
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d cells; %s runs:\n", len(g.Cells()), from)
	for _, c := range s.Deal(g.Cells()) {
		fmt.Println(" ", c.Name())
	}
	// Output:
	// 8 cells; Slurm array task 11 (shard 1/3) runs:
	//   rate0_weight0_seed2
	//   rate0.003_weight0_seed1
	//   rate0.003_weight1e-05_seed2
}
