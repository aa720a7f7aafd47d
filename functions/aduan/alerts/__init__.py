"""Urgent alerts: an agency hears of an urgent report, or of a cluster many citizens joined, within a
minute of filing — by e-mail and, when configured, a signed JSON webhook — not on Monday."""
