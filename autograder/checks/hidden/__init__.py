"""Hidden checks: reference comparisons over seeds, gradients, edge cases, forbidden shortcuts,
speed and accuracy thresholds. They stay with the instructor."""
