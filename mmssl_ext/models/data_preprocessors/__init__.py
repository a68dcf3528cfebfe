from .sobel_data_preprocessor import SobelDataPreprocessor  # noqa: F401
