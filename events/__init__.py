"""Events, registrations and check-in: they arrive with the events issue."""
