print("fedbone-bench: kernels benchmark not yet built")
