"""Time-driven work: firing the BPMN timers cases wait on, starting timer-started processes on
their schedules, and the scheduler that drives both (with the SLA colour sweep)."""
