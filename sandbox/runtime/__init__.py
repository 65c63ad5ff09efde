"""The sandbox runtime: every streamlet replica as a task in one process."""
