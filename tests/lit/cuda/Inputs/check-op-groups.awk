# Checks the op groups of the entry points of a generated step.cu (POSIX
# awk). Every group that enqueues work declares `static const char op_N[]`
# holding the text of the comment just above it, returns every failed call
# with `return mpc_rt_op_failed(rt, op_N);` and ends with
# `if (mpc_rt_op_done(rt, op_N))` and `return -1;` before the next group;
# no call, launch or `return -1;` is outside a group. Prints one "error:"
# line per violation, then "groups: N". (A string with octal escapes is not
# compared with its comment: op-hooks.mlir checks those exactly.)

function fail(message) { print "error: line " NR ": " message }

# A C string literal's body without the escapes \\, \" and \?, or "" when
# it holds another escape.
function unescape(literal,   text, i, c) {
  text = ""
  for (i = 1; i <= length(literal); ++i) {
    c = substr(literal, i, 1)
    if (c == "\\") {
      c = substr(literal, ++i, 1)
      if (c != "\\" && c != "\"" && c != "?")
        return ""
    }
    text = text c
  }
  return text
}

# The op_N named on the current line.
function opOf(line) {
  if (!match(line, /op_[0-9]+/))
    return ""
  return substr(line, RSTART, RLENGTH)
}

/^extern "C" int mpc_fn_/ { inEntry = 1; open = ""; previous = $0; next }

inEntry && /^}/ {
  if (open != "")
    fail(open " has no mpc_rt_op_done before the end of the function")
  inEntry = 0
  next
}

!inEntry { next }

/^  static const char op_[0-9]+\[\] = "/ {
  if (open != "")
    fail(open " has no mpc_rt_op_done before " opOf($0))
  open = opOf($0)
  ++groups
  literal = $0
  sub(/^  static const char op_[0-9]+\[\] = "/, "", literal)
  sub(/";$/, "", literal)
  text = unescape(literal)
  if (text != "" && previous != "  // " text)
    fail(open " holds \"" literal "\" under the comment \"" previous "\"")
  previous = $0
  next
}

/return mpc_rt_op_failed\(rt, / {
  if (opOf($0) != open || open == "")
    fail("a failure returns through " opOf($0) " in the group of '" open "'")
}

/^  if \(mpc_rt_op_done\(rt, / {
  if (opOf($0) != open || open == "")
    fail("the hook of " opOf($0) " ends the group of '" open "'")
  open = ""
  hook = NR
}

/return -1;/ && hook != NR - 1 { fail("a return -1 that is not the hook's") }

(/mpc_rt_|<<</) && !/^  (static const|if \(mpc_rt_op_done)/ && open == "" {
  fail("work outside an op group: " $0)
}

{ previous = $0 }

END { print "groups: " groups + 0 }
