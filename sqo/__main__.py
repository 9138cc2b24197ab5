from sqo.cli.app import main

main()
