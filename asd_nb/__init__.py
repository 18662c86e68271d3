__version__ = "0.0.1"

def __getattr__(name):
    "`asd_nb.load_detector`, imported on first use so that `import asd_nb` stays light."
    if name == 'load_detector':
        from .systems import load_detector
        return load_detector
    raise AttributeError(f"module 'asd_nb' has no attribute {name!r}")
