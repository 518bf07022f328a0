//! `take stems`: one stereo stem per group bus of the take's mix (drums, vocals, ...),
//! `<SCENE>-T<NNN>_STEM_<Group>.wav`, printed offline through the same mixer as
//! `take mixdown`: each stem is the mix with every other group and every track that goes
//! straight to the master muted and the auxes off, so the group keeps its fader, balance and
//! the master's treatment, and the stems add up to the mix of the groups.

use std::path::Path;

use capstan_mixer::take::stem_file_name;

use super::mixdown::{open, print};
use super::{OK, PROBLEMS, UNREADABLE};

/// Runs `take stems`; returns the exit code.
pub fn run(take: &Path, out: Option<&Path>) -> u8 {
    let t = match open(take) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let groups = &t.mix.mixer.groups;
    if groups.is_empty() {
        errln!(
            "take: the mix of {} has no group buses, so it has no stems: add [[mixer.groups]] to \
             its mix file and route tracks to them (output = {{ group = 0 }})",
            t.stem
        );
        return UNREADABLE;
    }
    let dir = out.map(Path::to_path_buf).unwrap_or_else(|| t.dir.clone());
    if let Err(e) = std::fs::create_dir_all(&dir) {
        errln!("take: cannot create {}: {e}", dir.display());
        return PROBLEMS;
    }
    // Two groups whose names make one file name (the same name, names that differ only in
    // case on a card that does not tell case apart, or in characters a card refuses): each
    // after the first is told apart by its number.
    let mut taken = std::collections::HashSet::new();
    let names: Vec<_> = (groups.iter().enumerate())
        .map(|(g, b)| {
            let mut name = stem_file_name(&t.stem, g, &b.name);
            if !taken.insert(name.to_lowercase()) {
                name = stem_file_name(&t.stem, g, &format!("{} {}", b.name.trim(), g + 1));
                taken.insert(name.to_lowercase());
            }
            dir.join(name)
        })
        .collect();
    if let Some(p) = names.iter().find(|p| p.exists()) {
        errln!(
            "take: {} already exists: remove the old stems or give --out DIR",
            p.display()
        );
        return UNREADABLE;
    }
    for (g, path) in names.iter().enumerate() {
        let name = &groups[g].name;
        let label = if name.is_empty() {
            format!("stem {}", g + 1)
        } else {
            format!("stem {name}")
        };
        match print(&t, &t.mix.stem_state(g), path, &label) {
            Ok(frames) => outln!("{}: {}", path.display(), super::count(frames, "frame")),
            Err(e) => {
                errln!("take: {e}");
                return PROBLEMS;
            }
        }
    }
    OK
}
