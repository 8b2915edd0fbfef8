"""The simulation loop: the step, its inputs, event sources, forks, sweeps and the results folder."""
