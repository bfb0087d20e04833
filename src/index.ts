// The action entry. The action itself (inputs, summary, check run, post step) arrives with issue 5;
// until then the bundle reports plainly that only the CLI is available, rather than pretending.
import * as core from '@actions/core'

core.setFailed('wavesync: the GitHub Action entry is not implemented yet; use the CLI (dist/cli.js)')
