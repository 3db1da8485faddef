"""Domain model and events: no Flask, no storage driver."""
