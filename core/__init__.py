"""The ground every stage stands on: the records passed between stages, the config file's
models and the state paths. It imports nothing from the other packages of jixiao."""
