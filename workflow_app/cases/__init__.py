"""Cases: process instances, from start to end, and what people and timers do to them."""
