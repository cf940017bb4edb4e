#!/usr/bin/env bash
# Builds the npm package's WebAssembly: two release .wasm files (profile
# wasm-release), one for each feature of the crate (`roll`: the main one;
# `analysis`: parse, bounds and stats, loaded when first used), then wasm-bindgen for
# `--target web` into pkg/web and `--target nodejs` into pkg/node, with
# wasm-opt (when Debian's binaryen is installed) run on each .wasm first. A third
# .wasm, feature `stats` alone, is the Discord Activity's (bins/fumblebot/activity),
# in pkg/web only and not in the npm package. Installs what is missing: the wasm32 target and wasm-bindgen-cli
# at exactly the Cargo.lock version of the wasm-bindgen crate.
# Honours CARGO_TARGET_DIR. Usage: bindings/wasm/build.sh
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

# The CLI must match the crate exactly, or the glue and the .wasm disagree.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$want" ] || { echo "error: wasm-bindgen is not in Cargo.lock" >&2; exit 1; }
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "installing wasm-bindgen-cli $want (found: ${have:-none})"
    # --locked first; the crates.io index can lag behind the CLI's own lock
    # file, and then the newest dependencies that resolve will do.
    cargo install wasm-bindgen-cli --version "$want" --locked \
        || cargo install wasm-bindgen-cli --version "$want"
fi

# The package's version follows the crate's.
crate_version=$(cargo metadata --locked --no-deps --format-version 1 --manifest-path "$root/Cargo.toml" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);
        console.log(m.packages.find(p=>p.name==="critfumble-dice-wasm").version+" "+m.target_directory)})')
read -r version target_dir <<<"$crate_version"
npm_version=$(node -p 'require("./package.json").version')
if [ "$version" != "$npm_version" ]; then
    echo "error: package.json has version $npm_version but the crate has $version" >&2
    exit 1
fi

# WASM_PROFILE picks another Cargo profile, to compare builds (default: wasm-release).
profile=${WASM_PROFILE:-wasm-release}
rm -rf pkg
mkdir -p pkg

# One .wasm for each feature of the crate, with its own glue: `roll` (the
# package's main .wasm, critfumble_dice_wasm) and `analysis` (parse, bounds,
# stats and statsVs, loaded when first used: critfumble_dice_analysis).
build() {
    local feature=$1 name=$2 targets=${3:-web nodejs}
    cargo build --locked -p critfumble-dice-wasm --target wasm32-unknown-unknown --profile "$profile" \
        --no-default-features --features "$feature"
    local wasm="$target_dir/wasm32-unknown-unknown/$profile/critfumble_dice_wasm.wasm"
    if command -v wasm-opt >/dev/null; then
        # Before wasm-bindgen rather than after: Debian's binaryen (108) renumbers
        # the externref table that wasm-bindgen adds, and the glue then fails.
        # The features are those rustc enables by default for wasm32-unknown-unknown.
        wasm-opt -O3 --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$wasm" -o "pkg/$name.wasm"
    else
        echo "note: wasm-opt not found (apt-get install binaryen); the .wasm is not post-optimized"
        cp "$wasm" "pkg/$name.wasm"
    fi
    local target
    for target in $targets; do
        wasm-bindgen --target "$target" --no-typescript --out-dir "pkg/${target/nodejs/node}" "pkg/$name.wasm"
    done
    rm -f "pkg/$name.wasm"
    local bytes gzipped
    bytes=$(wc -c < "pkg/web/${name}_bg.wasm")
    gzipped=$(gzip -9 -c "pkg/web/${name}_bg.wasm" | wc -c)
    echo "built @crit-fumble/dice $version: ${name}_bg.wasm $bytes bytes, $gzipped gzipped"
}
build roll critfumble_dice_wasm
build analysis critfumble_dice_analysis
# The Activity's first load has a budget of 150 KB gzipped, and its preview calls only
# statsTree: without parse, bounds and statsVs the .wasm is 118 KB gzipped instead of
# the analysis .wasm's 132 KB. opt-level "z" would take 7 KB more off, but made stats
# 1.5 to 3.8 times slower (100d100: 825 ms against 252 ms), and the preview runs as the
# user types.
build stats critfumble_dice_stats web
# The package is ESM ("type": "module"); the nodejs glue is CommonJS.
echo '{ "type": "commonjs" }' > pkg/node/package.json
