x = a  # comment
y = b  # comment
