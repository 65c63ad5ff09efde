"""Tests of the live view, the stall watchdog and the exports."""
