#!/usr/bin/env python3
"""Writes recon(1) in roff from the commands' own help (`recon --experimental-dump-help`),
so the manual says exactly what `--help` says. Usage: manpage.py RECON_BINARY > recon.1"""
import json, subprocess, sys

def shown(a):
    """Every argument the help shows, less --help and --version, which the manual lists once."""
    names = {n.get("name") for n in a.get("names", [])}
    return a.get("shouldDisplay", True) and not names & {"help", "version"}

def esc(text):
    out = (text or "").replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + l if l.startswith((".", "'")) else l) for l in out.split("\n"))

def synopsis(cmd, path):
    words = []
    for a in cmd.get("arguments", []):
        if not shown(a): continue
        name = a.get("preferredName") or (a.get("names") or [{}])[0]
        value = a.get("valueName", "")
        if a["kind"] == "positional":
            w = value.upper() + ("..." if a.get("isRepeating") else "")
        else:
            prefix = "-" if name.get("kind") == "short" else "--"
            w = prefix + name.get("name", value) + ("" if a["kind"] == "flag" else " " + value.upper())
        words.append("[" + w + "]" if a.get("isOptional") else w)
    return ".B " + esc(" ".join(path)) + "\n" + esc(" ".join(words))

def options(cmd):
    lines = []
    for a in cmd.get("arguments", []):
        if not shown(a): continue
        if a["kind"] == "positional":
            head = a.get("valueName", "").upper()
        else:
            names = [("-" if n["kind"] == "short" else "--") + n["name"] for n in a.get("names", [])]
            head = ", ".join(names) + ("" if a["kind"] == "flag" else " " + a.get("valueName", "").upper())
        text = a.get("abstract", "")
        if a.get("defaultValue") not in (None, "", "false"): text += " (default: " + a["defaultValue"] + ")"
        lines += [".TP", "\\fB" + esc(head) + "\\fR", esc(text)]
    return "\n".join(lines)

def main():
    binary = sys.argv[1]
    tool = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True, text=True).stdout)
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    root = tool["command"]
    out = ['.TH RECON 1 "" "%s" "User Commands"' % esc(version), ".SH NAME", "recon \\- " + esc(root.get("abstract", "")),
           ".SH SYNOPSIS", ".B recon\n\\fISUBCOMMAND\\fR [\\fIOPTIONS\\fR]", ".br", ".B recon \\-\\-version", ".br", ".B recon \\fISUBCOMMAND\\fR \\-\\-help", ".SH DESCRIPTION", esc(root.get("discussion", ""))]
    out += [".SH SUBCOMMANDS"]
    for sub in root.get("subcommands", []):
        if sub["commandName"] == "help": continue
        out += [".SS " + esc("recon " + sub["commandName"]), esc(sub.get("abstract", "")), ".PP", synopsis(sub, ["recon", sub["commandName"]])]
        if sub.get("discussion"): out += [".PP", esc(sub["discussion"])]
        out += [".PP", options(sub)]
    out += [".SH EXIT STATUS", "0 done; 1 bad usage or internal error; 2 input rejected; 3 refused; 4 verification failed.",
            ".SH FILES", "/lib/systemd/system/recon\\-watch@.service \\(em watches the site /srv/recon/NAME as the recon user.",
            ".SH SEE ALSO", "systemctl(1), journalctl(1)"]
    print("\n".join(out))

main()
