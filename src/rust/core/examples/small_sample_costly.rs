//! The costlier candidates of the few-labels study (iterated GMM, bootstrap):
//! `cargo run --release --example small_sample_costly -- REPS BOOT estimands labels`.
use synthinfer_core::gmm::small_sample::{study_costly, Estimand, Scenario, COSTLY_RULES};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(300);
    let boot: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(199);
    let ests: Vec<String> = args.get(3).map(|s| s.split(',').map(String::from).collect()).unwrap_or_else(|| vec!["ols".into(), "logistic".into()]);
    let labels: Vec<usize> = args.get(4).map(|s| s.split(',').map(|v| v.parse().unwrap()).collect()).unwrap_or_else(|| vec![50]);
    println!("estimand,scenario,n_labeled,rule,coverage90,coverage95,width90,reps,failed,seconds");
    for e in &ests {
        for s in ["good", "noisy_proxy", "anticorrelated", "worse_llm", "skewed_x"] {
            for &nl in &labels {
                let t0 = std::time::Instant::now();
                let cells = study_costly(Estimand::from_name(e).unwrap(), Scenario::from_name(s).unwrap(), nl, reps, boot, 2026, 2).unwrap();
                let secs = t0.elapsed().as_secs_f64();
                for (rule, c) in COSTLY_RULES.iter().zip(&cells) {
                    let r = c.reps.max(1) as f64;
                    println!("{e},{s},{nl},{rule},{:.4},{:.4},{:.4},{},{},{secs:.1}", c.covered90 as f64 / r, c.covered95 as f64 / r, c.width90 / r, c.reps, c.failed);
                }
            }
        }
    }
}
