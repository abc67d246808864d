"""The simulated London: demand, a fleet, dispatch, scenarios, and their evaluation."""
