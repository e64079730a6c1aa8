package tutorial

// ResetExercises forgets the declared and compiled exercises, for a test.
func ResetExercises() {
	exercises.Lock()
	defer exercises.Unlock()
	exercises.declared, exercises.compiled = nil, nil
}

// ResetStopping forgets that a cell stopped, for a test.
func ResetStopping() { stopping.Store(false) }
