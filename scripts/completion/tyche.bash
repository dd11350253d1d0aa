# bash completion for tyche (installed as share/bash-completion/completions/tyche).
# The verbs and each verb's options are read from `tyche --help` and
# `tyche help VERB`, so the completion cannot drift from the command.

_tyche_options()    # the options a verb's help names, once each
{
    "$1" help "$2" 2>/dev/null | grep -oE -- '(^|[[ |])--?[a-zA-Z][a-zA-Z-]*' \
        | sed -E 's/^[[ |]//' | sort -u
}

_tyche()
{
    local cur prev tyche=${COMP_WORDS[0]}
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        local verbs
        verbs=$("$tyche" --help 2>/dev/null | sed -nE 's/^  tyche ([a-z]+) .*/\1/p' | sort -u)
        COMPREPLY=($(compgen -W "$verbs help --help --version" -- "$cur"))
        return
    fi
    local verb=${COMP_WORDS[1]}
    case $prev in
        -o|--resume) compopt -o filenames; COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --sampling) COMPREPLY=($(compgen -W "random lhs" -- "$cur")); return ;;
        --method) COMPREPLY=($(compgen -W "tornado spearman sobol all" -- "$cur")); return ;;
        --format)
            if [ "$verb" = rng ]; then COMPREPLY=($(compgen -W "raw hex" -- "$cur"))
            else COMPREPLY=($(compgen -W "csv json" -- "$cur")); fi
            return ;;
        -n|--seed|--threads|--target-halfwidth|--max-samples|--compress|--set|--observe|\
        --target|--stream|--count|--state|--inc|--variant) return ;;
    esac
    if [ "$verb" = help ]; then
        local verbs
        verbs=$("$tyche" --help 2>/dev/null | sed -nE 's/^  tyche ([a-z]+) .*/\1/p' | sort -u)
        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_tyche_options "$tyche" "$verb")" -- "$cur"))
        return
    fi
    # Files: scenarios and batches for the verbs that read them, results for the others.
    compopt -o filenames
    case $verb in
        show|export) COMPREPLY=($(compgen -f -X '!*.h5' -- "$cur") $(compgen -d -- "$cur")) ;;
        *) COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur") $(compgen -d -- "$cur")) ;;
    esac
}
complete -F _tyche tyche
