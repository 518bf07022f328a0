# shellcheck shell=bash
# Boot the guest under qemu (TCG), show its console, and find out how the
# command ended. Sourced, not executed. Needs common.sh and set_arch.

EXIT_TIMEOUT=124
EXIT_SETUP_FAILED=125

# Print the console between the begin and exit markers (everything with
# --verbose), without the serial line's carriage returns. A marker may end a
# line the command left without a newline: print what comes before it.
console_filter() {
    awk -v marker="@@capstan-vm $TOKEN " -v verbose="${VERBOSE:-0}" '
        { sub(/\r$/, "") }
        (i = index($0, marker)) > 0 {
            if (i > 1 && (inside || verbose)) print substr($0, 1, i - 1)
            word = substr($0, i + length(marker))
            if (word == "begin") inside = 1
            else inside = 0
            if (verbose) print
            fflush()
            next
        }
        inside || verbose { print; fflush() }
    '
}

# Boot the guest with initramfs $1 and the share folder $SHARE. Prints the
# command's output; returns the command's exit status, EXIT_TIMEOUT if the
# guest did not finish in time, EXIT_SETUP_FAILED if it never ran the
# command or stopped without reporting.
boot_guest() {
    local initrd=$1 console=$WORK/console.log
    local append="console=$ARCH_CONSOLE panic=-1 $ARCH_APPEND$KERNEL_PARAMS"
    [[ ${VERBOSE:-0} == 1 ]] || append+=" quiet"
    local kernel=$KERNEL_DIR/boot/vmlinux-$KERNEL_VERSION
    [[ -e $kernel ]] || kernel=$KERNEL_DIR/boot/vmlinuz-$KERNEL_VERSION
    local qemu=(
        "$ARCH_QEMU" -accel tcg "${ARCH_MACHINE[@]}"
        -nographic -monitor none -nic none -no-reboot
        -kernel "$kernel"
        -initrd "$initrd"
        -append "$append"
        -fsdev "local,id=share,path=${SHARE//,/,,},security_model=none"
        -device "$ARCH_9P_DEV,fsdev=share,mount_tag=share"
        "${QEMU_EXTRA[@]}"
    )
    vlog "${qemu[*]}"

    rm -f "$SHARE/.exit-status"
    local start=$SECONDS statuses
    set +e
    timeout -k 5 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
        tee "$console" | console_filter
    statuses=("${PIPESTATUS[@]}")
    set -e
    vlog "guest ran for $((SECONDS - start)) s"
    show_notes "$console"

    if [[ ${statuses[0]} == 124 || ${statuses[0]} == 137 ]]; then
        show_console_tail "$console"
        log "timeout: the $ARCH guest did not finish within $TIMEOUT s (--timeout to change)"
        return $EXIT_TIMEOUT
    fi
    local failure
    failure=$(sed -n "s/.*@@capstan-vm $TOKEN setup-failed \(.*\)/\1/p" "$console" | tr -d '\r')
    if [[ -n $failure ]]; then
        show_console_tail "$console"
        log "the guest could not be set up: $failure"
        return $EXIT_SETUP_FAILED
    fi
    if [[ ${statuses[0]} != 0 ]]; then
        show_console_tail "$console"
        log "$ARCH_QEMU failed (exit status ${statuses[0]})"
        return $EXIT_SETUP_FAILED
    fi
    local status
    if [[ -s $SHARE/.exit-status ]]; then
        status=$(<"$SHARE/.exit-status")
    else
        status=$(sed -n "s/.*@@capstan-vm $TOKEN exit \([0-9]*\).*/\1/p" "$console" | tail -n 1)
    fi
    if [[ ! $status =~ ^[0-9]+$ ]]; then
        show_console_tail "$console"
        log "the guest stopped without reporting the command's exit status"
        return $EXIT_SETUP_FAILED
    fi
    return "$status"
}

# Pass on what the guest noted about itself (see guest-init.sh).
show_notes() {
    local note
    sed -n "s/.*@@capstan-vm $TOKEN note \(.*\)/\1/p" "$1" | tr -d '\r' |
        while IFS= read -r note; do
            log "guest: $note"
        done
}

# After a failure, keep the whole console in a file and say where; if the
# command never started, show the end of it (the boot messages). --verbose
# has shown all of it already.
show_console_tail() {
    [[ ${VERBOSE:-0} == 1 ]] && return 0
    local keep
    keep=$(mktemp "${TMPDIR:-/tmp}/capstan-vm-console.XXXXXX")
    tr -d '\r' <"$1" >"$keep"
    if ! grep -q "@@capstan-vm $TOKEN begin" "$keep"; then
        log "last lines of the guest's console:"
        tail -n 40 "$keep" | sed 's/^/  | /' >&2
    fi
    log "the whole console is in $keep"
}
