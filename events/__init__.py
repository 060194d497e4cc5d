"""Events: meetings a network publishes, registrations within capacity, tickets and check-in."""
