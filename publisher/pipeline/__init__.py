"""The build pipeline: the registry of targets, the runner, the schedule, publishing."""
