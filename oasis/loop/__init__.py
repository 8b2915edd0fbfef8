"""The simulation loop: the step, its inputs, event sources and the results folder."""
