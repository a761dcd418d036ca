import os
s = "é😀"; print(undefined_name)
x = 1;  y = 2
