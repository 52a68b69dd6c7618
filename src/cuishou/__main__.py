from cuishou.cli import main

main()
