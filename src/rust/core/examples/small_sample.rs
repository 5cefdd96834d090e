//! Print the few-labels study grid: `cargo run --release --example small_sample -- REPS [estimands]`.
use synthinfer_core::gmm::small_sample::{study, Estimand, Scenario, RULES};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(500);
    let ests: Vec<String> = args.get(2).map(|s| s.split(',').map(String::from).collect()).unwrap_or_else(|| vec!["mean".into(), "ols".into(), "logistic".into(), "poisson".into()]);
    let labels: Vec<usize> = args.get(3).map(|s| s.split(',').map(|v| v.parse().unwrap()).collect()).unwrap_or_else(|| vec![50, 100, 200]);
    print!("{:9} {:15} {:>4}", "estimand", "scenario", "nlab");
    for r in RULES {
        print!(" {:>19}", r);
    }
    println!();
    for e in &ests {
        for s in ["good", "noisy_proxy", "anticorrelated", "worse_llm", "skewed_x"] {
            for &nl in &labels {
                let t0 = std::time::Instant::now();
                let cells = study(Estimand::from_name(e).unwrap(), Scenario::from_name(s).unwrap(), nl, reps, 1, 2).unwrap();
                print!("{:9} {:15} {:>4}", e, s, nl);
                for c in &cells {
                    let r = c.reps as f64;
                    print!(" {:.3}/{:.3}/{:5.3}", c.covered90 as f64 / r, c.covered95 as f64 / r, c.width90 / r);
                }
                println!(" fail={} {:.1}s", cells[0].failed, t0.elapsed().as_secs_f64());
            }
        }
    }
}
