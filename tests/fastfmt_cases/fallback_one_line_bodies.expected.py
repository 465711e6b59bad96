class Empty:
    pass


def short(*, a):
    return a


for item in items:
    print(item)
while True:
    break
if ready:
    ...
