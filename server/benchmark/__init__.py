"""The loop benchmark behind `fixloop bench`: corpus, simulated models, strategies, figures, report.

It runs the real engine (loops, providers over HTTP, verifiers, budget) on the
cases of a corpus, against simulated models on loopback or the models a
workspace configures, and measures time to a verified fix per strategy.
"""
