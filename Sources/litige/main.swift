print("litige")
