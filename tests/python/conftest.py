def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (CTest label 'slow')")
