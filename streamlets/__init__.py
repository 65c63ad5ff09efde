"""Ready-made and example streamlets, written against the public `sandbox` API only."""
