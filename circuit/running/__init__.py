"""Running the model: devices, compiled builds and their blueprints, simulation,
recording, the watchdog, subjects and experiments on Dask."""
