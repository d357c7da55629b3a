"""The batch runtime: executors (serial, local processes, Dask), the results store, the
worker that runs a batch of replications, and the limits every run is held to. Sweeps,
fleet studies and the optimizer all run through it; the experiment language (designs,
plans, experiment files) is :mod:`dcsim.sweeps`."""
