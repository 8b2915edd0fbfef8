"""The simulation loop: the step, its inputs, event sources, forks, sweeps, the results folder."""
