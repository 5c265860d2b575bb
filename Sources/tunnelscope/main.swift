print("tunnelscope")
