import TunnelscopeCLI

Tunnelscope.main(arguments: Array(CommandLine.arguments.dropFirst()))
